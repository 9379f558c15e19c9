widget-title = Identity verification
language-label = Language
session-label = Session
error-title = Verification can’t start
error-invalid-id = No valid session was found. Please go back to the website and start again.
