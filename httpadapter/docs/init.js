"use strict";
// Swagger UI for the document next to this page (openapi.yaml). Nothing is
// loaded from elsewhere: no validator badge, no configuration from the
// query string, and "Try it out" calls the servers the document names,
// which is this server.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: new URL("openapi.yaml", document.baseURI).href,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    queryConfigEnabled: false,
    deepLinking: true,
    persistAuthorization: false,
    displayRequestDuration: true,
  });
});
