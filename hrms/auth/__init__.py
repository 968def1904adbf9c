"""Sign-in security: the two-step login, TOTP enrolment and the account page."""
