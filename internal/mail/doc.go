// Package mail renders and delivers Gatehouse's e-mail.
//
// Three parts, each usable on its own:
//
//   - Render turns a kind (confirm_email, reset_password, …) and a locale
//     (en, ru, uk; anything else falls back to en) into a Message with a
//     subject, a plain-text body and an HTML body, from embedded templates.
//   - A Sender delivers a Message: the SMTP sender (NewSMTP, for
//     GATEHOUSE_SMTP_URL) or the log sender (NewLogSender, when no SMTP URL
//     is configured: the message is written to stderr for development).
//   - The Outbox implements identity.Mailer. Queue renders and seals the message
//     and writes it through the caller's store, in the caller's transaction,
//     so that a request that commits always has its mail; Run delivers the
//     queue in the background (the mail channel of internal/outbox, which
//     SMS shares) and retries failures with a capped exponential backoff,
//     forever, because the user is waiting for a code.
package mail
