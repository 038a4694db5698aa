package platform

// The request and response bodies of the platform API, field for field.

type statusResponse struct {
	Status  string            `json:"status"`
	Version string            `json:"version"`
	Commit  string            `json:"commit"`
	Checks  map[string]string `json:"checks,omitempty"` // what is wrong, by name
}

type registerRequest struct {
	Login    string `json:"login"`
	Password string `json:"password" text:"secret"`
	Locale   string `json:"locale"`
	Source   string `json:"source"`
	Name     string `json:"name"`
}

type idResponse struct {
	ID string `json:"id"`
}

type emailRequest struct {
	Email  string `json:"email"`
	Source string `json:"source"`
}

type emailResponse struct {
	Email string `json:"email"`
}

type confirmResponse struct {
	Status string `json:"status"`
}

type profileResponse struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Email     string   `json:"email"`
	Locale    string   `json:"locale"`
	Addresses []string `json:"addresses"`
	Roles     []string `json:"roles"`
}

type addressRequest struct {
	Address string `json:"address"`
	Name    string `json:"name"`
}

type addressResponse struct {
	AddressID string `json:"addressId"`
}

type existsResponse struct {
	Exist bool `json:"exist"`
}

type resetRequest struct {
	Token         string `json:"token"`
	Password      string `json:"password" text:"secret"`
	RevokeAPIKeys *bool  `json:"revoke_api_keys"` // absent: true
}

type userIDResponse struct {
	UserID string `json:"userId"`
}

// loginRequest is the published API's login, or Gatehouse's second call after
// mfa_required: mfa_token and otp, without the password.
type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password" text:"secret"`
	Locale   string `json:"locale"`
	Source   string `json:"source"`
	MFAToken string `json:"mfa_token"`
	OTP      string `json:"otp"`
}

// reauthRequest is the optional body of POST /v1/auth/token: the current
// password, re-entered when the sign-in is not recent.
type reauthRequest struct {
	Password string `json:"password"`
}

type refreshRequest struct {
	Token        string `json:"token"`
	RefreshToken string `json:"refresh_token"`
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
}

type sessionResponse struct {
	ID        string `json:"id"`
	Door      string `json:"door"`
	UserAgent string `json:"user_agent"`
	IP        string `json:"ip"`
	CreatedAt string `json:"created_at"`
	LastSeen  string `json:"last_seen"`
	Current   bool   `json:"current"`
}
