package web

// ScopeMessage is the message id of an OpenID scope in words
// (locales/web.<lang>.json "scope.<scope>"): one source for every page
// that asks a user to allow scopes (the consent page, the device page), so
// that both say the same thing, after a lead-in such as "If you allow it,
// the application may:".
func ScopeMessage(scope string) string { return "scope." + scope }
