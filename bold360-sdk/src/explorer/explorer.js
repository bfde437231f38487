// The explorer's settings. TOKEN is this start's token, sent with every call to the local
// proxy (which refuses calls without it); WRITES lists the methods that change data.
(function () {
  var token = TOKEN;
  var writes = WRITES;
  var target = TARGET;
  window.ui = SwaggerUIBundle({
    url: '/explorer/openapi.json',
    dom_id: '#swagger-ui',
    docExpansion: 'list',
    deepLinking: false,
    tryItOutEnabled: true,
    displayOperationId: false,
    defaultModelsExpandDepth: -1,
    supportedSubmitMethods: ['get'],
    // A method's versions side by side: by name, then version.
    operationsSorter: function (a, b) {
      var name = function (op) { return op.get('path').split('/').pop(); };
      return name(a).localeCompare(name(b)) || a.get('path').localeCompare(b.get('path'));
    },
    requestInterceptor: function (request) {
      var method = request.url.split('?')[0].split('/').pop();
      if (writes.indexOf(method) >= 0 &&
          !window.confirm(method + ' is a write: it changes data in ' + target + '. Send it?')) {
        throw new Error(method + ' not sent');
      }
      request.headers['x-bold360-explorer-token'] = token;
      return request;
    }
  });
})();
