// Every Bold360 answer is HTTP 200 with an envelope whose Status says how the call went.
pm.test('HTTP 200 with a Status', function () {
  pm.response.to.have.status(200);
  pm.expect(pm.response.json()).to.have.property('Status');
});
pm.test('Status is success (else Message says why)', function () {
  const body = pm.response.json();
  pm.expect(body.Status, body.Message || '').to.eql('success');
});
