// Package client is a Go client of the Latch REST API, generated with
// oapi-codegen from httpadapter/openapi.yaml (client.gen.go; do not edit
// it, change the document and run go generate ./client). A test fails
// while the generated file is stale.
//
// Every operation has a method that returns the raw *http.Response and a
// WithResponse variant that also decodes the documented bodies:
//
//	c, err := client.NewClientWithResponses("https://auth.example.com/api/v1")
//	res, err := c.LoginPasswordWithResponse(ctx, client.LoginPasswordJSONRequestBody{
//		Identifier: "alice", Password: password,
//	})
//	if res.JSON401 != nil { ... } // res.JSON401.Error == client.INVALIDCREDENTIALS
//
// Credentials go in a request editor, per call or for the whole client
// (client.WithRequestEditorFn), as Authorization: Bearer <token>.
package client
