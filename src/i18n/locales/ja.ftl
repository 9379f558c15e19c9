widget-title = 本人確認
language-label = 言語
session-label = セッション
error-title = 本人確認を開始できません
error-invalid-id = 有効なセッションが見つかりません。サイトに戻って、もう一度お試しください。
