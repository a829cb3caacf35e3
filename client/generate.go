package client

// The generator and its version; TestGeneratedCodeIsCurrent runs the same.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -config oapi-codegen.yaml ../httpadapter/openapi.yaml
