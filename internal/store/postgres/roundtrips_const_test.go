package postgres_test

// signInStatements is the most a warm platform sign-in may send: the
// lockout counters, the user with its roles, the authenticator's
// enrolment, and the one write (ten before the write became one statement).
const signInStatements = 4

// cashdeskSignInStatements is the most a warm cashdesk sign-in may send:
// the platform's, and the cashier's profile, registers and open shift.
const cashdeskSignInStatements = signInStatements + 3
