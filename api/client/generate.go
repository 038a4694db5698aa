// Package client is a Go client of Gatehouse's HTTP API, generated from
// api/openapi.yaml with oapi-codegen: one method per operation, named by
// its operationId (AdminListUsers, PlatformLogin, …), and a
// …WithResponse variant that decodes the documented answers. CI
// regenerates it and fails when the committed code differs, so it never
// drifts from the document.
package client

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../openapi.yaml
