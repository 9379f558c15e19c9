widget-title = 본인 인증
language-label = 언어
session-label = 세션
error-title = 인증을 시작할 수 없습니다
error-invalid-id = 유효한 세션을 찾을 수 없습니다. 사이트로 돌아가 다시 시작해 주세요.
