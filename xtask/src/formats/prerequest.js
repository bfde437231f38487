// Signs every request of this collection for Bold360 (the rule: auth =
// AccountID:ApiSettingID:Millis:hex(SHA-512("AccountID:ApiSettingID:Millis" + ApiKey))).
// A token is accepted for 5 minutes, so each request gets a fresh one.
// Scripts share one scope across requests, so everything is kept inside a function.
(function () {
  const CryptoJS = require('crypto-js');
  const accountId = pm.variables.get('accountId');
  const apiSettingId = pm.variables.get('apiSettingId');
  const apiKey = pm.variables.get('apiKey');
  if (!accountId || !apiSettingId || !apiKey) {
    throw new Error('Set the variables accountId, apiSettingId and apiKey (shown with the API key in your Bold360 account) before sending.');
  }
  const prefix = accountId + ':' + apiSettingId + ':' + Date.now();
  const hash = CryptoJS.SHA512(prefix + apiKey).toString(CryptoJS.enc.Hex);
  pm.request.url.query.remove(function (param) { return param.key === 'auth'; });
  pm.request.url.query.add({ key: 'auth', value: prefix + ':' + hash });
})();
