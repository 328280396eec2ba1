# Hiroba 日本語メッセージ（基準言語）

skip-to-content = 本文へ移動
nav-label = メインメニュー
nav-home = ホーム
nav-login = ログイン
nav-signup = 新規登録
nav-logout = ログアウト
nav-signed-in-as = ログイン中:
lang-label = 表示言語
footer-powered = この参加サイトは Hiroba（広場）で運営されています。テーマやアイデアはフェディバースからもフォローできます。

home-title = ホーム
home-intro = まちの課題や計画について、アイデアを出し合い、共感し、話し合う場です。
home-themes = 募集中・公開中のテーマ
home-no-themes = 公開中のテーマはまだありません。
home-recent-ideas = 新しいアイデア
home-no-ideas = まだアイデアは投稿されていません。

status-draft = 下書き
status-open = 受付中
status-closed = 終了
status-archived = 保管

theme-phases = 進め方
theme-phase-now = いまここ
theme-now-in-phase = 現在のフェーズ:「{ $phase }」
theme-not-started = まだ始まっていません。
theme-between-phases = 次のフェーズの開始をお待ちください。
theme-ended = すべてのフェーズが終了しました。
theme-idea-count = アイデア { $count } 件
theme-ideas = アイデア
theme-no-ideas = まだアイデアはありません。
phase-period = { $from }〜{ $to }
phase-allows-ideas = アイデアを投稿できます
phase-allows-comments = コメントできます
phase-allows-supports = 共感できます
phase-allows-reading = 資料を読み、内容を知る期間です

follow-heading = フェディバースからフォロー
follow-explain = Mastodon などのアカウントをお持ちなら、このテーマを検索してフォローすると、新しいアイデアがタイムラインに届きます。

board-sort-label = 並べ替え
board-filter-label = タグで絞り込み
sort-newest = 新しい順
sort-most-supported = 共感の多い順
sort-most-discussed = コメントの多い順
filter-all = すべて
page-previous = 前のページ
page-next = 次のページ

idea-form-heading = アイデアを投稿する
idea-form-closed = いまのフェーズではアイデアを受け付けていません。
idea-form-login = アイデアを投稿するにはログインしてください。
idea-form-title = タイトル
idea-form-body = 内容
idea-form-body-hint = 思いついたことを短く書いてください。箇条書きや **太字** も使えます。
idea-form-tags = タグ（任意）
idea-form-tags-hint = 読点・カンマ・空白で区切って入力します。例：公園、子育て
idea-form-anonymous = 匿名で投稿する
idea-form-anonymous-hint = お名前の代わりに「匿名さん」と記号が表示されます。このテーマの中では同じ記号になりますが、ほかのテーマとはつながりません。不適切な投稿への対応のため、管理する職員だけは投稿者を確認できます。
idea-form-submit = 投稿する
idea-anonymous-author = 匿名さん（{ $pseudonym }）
idea-supports = 共感 { $count }
idea-comments = コメント { $count } 件
idea-withdrawn = この提案は投稿者によって取り下げられました。
idea-hidden = この提案はモデレーターにより非表示になっています

support-heading = 共感
support-residents = （住民の共感）
support-add = 共感する
support-withdraw = 共感を取り消す
support-login = 共感するにはログインしてください。

comments-none = まだコメントはありません。
comments-closed = いまのフェーズではコメントを受け付けていません。
comment-label = コメントを書く
comment-submit = コメントする
comment-reply = 返信する
comment-reply-label = 返信の内容
comment-login = コメントするにはログインしてください。
comment-deleted = このコメントは削除されました。
comment-hidden = このコメントはモデレーターにより非表示になっています。

form-has-errors = 入力内容を確認してください。
error-required = 入力してください。
error-too-short = { $limit } 文字以上で入力してください。
error-too-long = { $limit } 文字以内で入力してください。
error-invalid-email = メールアドレスの形式で入力してください（例：name@example.jp）。
error-handle-characters = 半角の英小文字・数字・アンダースコア（_）だけが使えます。
error-reserved = この名前は使えません。別の名前にしてください。
error-tags = タグには空白・カンマ・# を含めないでください（10 個まで）。
error-control-characters = 使えない文字が含まれています。
error-taken = すでに使われています。
error-credentials = ログイン名またはパスワードが違います。
error-rate-limited = 試行回数が多すぎます。{ $seconds } 秒後にもう一度お試しください。

account-handle = ユーザー名
account-handle-hint = 半角の英小文字・数字・_ で 30 文字まで。フェディバースでの名前にもなります。メールアドレスだけで登録する場合は空欄で構いません。
account-email = メールアドレス
account-email-hint = ユーザー名を決めた場合は任意です。
account-display-name = 表示名（任意）
account-password = パスワード
account-password-hint = 8 文字以上。

signup-title = 新規登録
signup-intro = 登録すると、アイデアの投稿・共感・コメントができます。
signup-submit = 登録する
signup-have-account = すでに登録済みの方は

login-title = ログイン
login-handle = ユーザー名またはメールアドレス
login-submit = ログインする
login-no-account = はじめての方は

setup-title = 最初の管理者を作成
setup-intro = このサイトの最初の管理者アカウントを作成します。このページは一度しか使えません。
setup-submit = 管理者を作成する
setup-invalid = このセットアップ用リンクは無効か、すでに使われています。サーバーのログに表示された最新のリンクを開いてください。

error-404 = ページが見つかりません
error-403 = この操作は許可されていません
error-500 = 問題が発生しました
error-other = リクエストを処理できませんでした
error-status = エラーコード
error-back-home = ホームへ戻る
error-not-allowed-now = いまのフェーズではこの操作はできません。

save = 保存する
saved = 保存しました。
search-title = アイデアを探す
search-label = キーワードでアイデアを探す
search-submit = 検索
search-none = 見つかりませんでした。別のことばでお試しください。
search-results = 検索結果 { $count } 件

profile-title = プロフィール
profile-account = アカウント:
profile-stats-heading = 参加状況の統計のための情報（任意）
profile-stats-use = 年代・地区・市とのかかわりは、どの世代や地域の声が届いているかを集計するためだけに使います。個人ごとに公開したり、投稿に表示したりすることはありません。答えなくても参加できます。
profile-age-band = 年代
profile-no-answer = 答えない
profile-area = お住まいや活動の地区
profile-area-hint = 例：大船地区
profile-relations = 市とのかかわり（複数選べます）
relation-lives = 住んでいる
relation-works = 働いている
relation-studies = 学んでいる
relation-visits = 訪れている
age-under-20 = 20歳未満
age-20s = 20代
age-30s = 30代
age-40s = 40代
age-50s = 50代
age-60s = 60代
age-70s = 70代
age-80-plus = 80歳以上

password-title = パスワードの変更
password-current = 現在のパスワード
password-new = 新しいパスワード
password-submit = 変更する
password-wrong = 現在のパスワードが違います。
password-changed = パスワードを変更しました。
password-other-sessions = 変更すると、ほかの端末ではログアウトされます。

report-open = 通報する
report-why = 問題だと思う理由
report-submit = 通報を送る
report-received = 通報を受け付けました。担当者が確認します。
report-needs-reason = 通報の理由を書いてください。
report-proposal = 提案
report-comment = コメント
report-reason = 理由
report-note = 対応の理由（投稿者にも表示されます）
report-hide = 非表示にする
report-dismiss = 問題なしとして閉じる
report-already-hidden = 非表示済み
reports-none = 未対応の通報はありません。
reports-open = 未対応の通報 { $count } 件

blocks-heading = ブロック（連合の拒否）
blocks-explain = ブロックしたアカウントやサーバーからの投稿・フォローは受け付けず、配信もしません。
blocks-kind = 種類
blocks-domain = サーバー（ドメイン）
blocks-actor = アカウント
blocks-value = ドメインまたはアカウント（例：spam.example、@someone@spam.example）
blocks-add = ブロックする
blocks-remove = ブロックを解除

staff-title = 職員メニュー
staff-nav = 職員メニュー
staff-new-theme = テーマを作成
staff-edit-theme = テーマを編集
staff-edit = 編集
staff-moderation = モデレーション
staff-users = ユーザーと権限
staff-profile = 自治体のプロフィール
staff-themes = テーマ一覧
staff-theme-title = テーマ名
staff-theme-slug = URL 名（英小文字・数字・ハイフン）
staff-theme-slug-hint = フェディバースでのテーマの名前（@名前@ドメイン）にもなり、あとから変更できません。例：sogo-keikaku
staff-theme-description = 説明
staff-theme-status = 公開状態
staff-theme-status-hint = 下書きは職員だけが見られます。受付中のテーマでは、その日のフェーズに応じて投稿・コメント・共感ができます。
staff-phases-hint = フェーズ名と期間を入れた行だけが保存されます。期間は重ならないよう、順番に入力してください。
staff-phase-number = フェーズ { $number }
staff-phase-name = フェーズ名（例：知る・考える・創る）
staff-phase-description = 住民にお願いすること
staff-phase-starts = 開始日
staff-phase-ends = 終了日

users-role = 権限
role-resident = 住民
role-moderator = モデレーター
role-staff = 職員
role-administrator = 管理者

profile-name-ja = 自治体名（日本語）
profile-name-en = 自治体名（英語）
profile-prefecture = 都道府県
profile-code = 全国地方公共団体コード
profile-time-zone = タイムゾーン
profile-config-only = 団体コードとタイムゾーンは設定ファイルで変更します。
error-invalid-date = 日付を選んでください（年-月-日）。
error-ends-before-start = 終了日は開始日以降にしてください。
error-overlapping-phases = 開始日は前のフェーズの終了日より後にしてください。
error-invalid-slug = 英小文字・数字・ハイフンだけで入力してください（先頭と末尾にハイフンは使えません）。
comment-hidden-visible-to-you = このコメントは非表示です（モデレーターと投稿者にだけ見えています）
idea-remote-supports = フェディバースからの共感 { $count }（住民の共感とは別に数えています）
comment-from-fediverse = フェディバース
idea-from-fediverse = フェディバースから投稿
follow-account-label = あなたのアカウント（例：@yourname@mastodon.example）
follow-submit = 自分のサーバーでフォローする
follow-or-copy = または、このテーマの名前をあなたのサーバーで検索してください：
follow-error-handle = 「@名前@サーバー」の形で入力してください。
follow-error-unreachable = あなたのサーバーに接続できませんでした。入力を確かめるか、下の名前を検索してフォローしてください。
follow-error-no-template = あなたのサーバーはこの方法に対応していません。下の名前をサーバーで検索してフォローしてください。
moderate-hide = 非表示にする（モデレーター）
moderate-restore = 非表示を解除する（モデレーター）

## Posts from followed municipalities and themes
nav-following = 他の自治体から
following-title = 他の自治体から
following-intro = この自治体がフォローしている、ほかの自治体やそのテーマの投稿です。共感や返信は元の自治体に届き、そちらで数えられます。
following-none = まだ投稿は届いていません。
following-via = { $via } から
following-support-here = （この自治体の住民の共感）
following-support-explain = 共感は元の自治体に届き、そちらの住民の共感とは分けて数えられます。
following-open-origin = 元の自治体のページで読む
following-reply-label = 返信（元の自治体に届き、そちらのコメントになります）
following-reply-submit = 返信する
following-reply-login = 返信するにはログインしてください。
following-more = さらに表示
staff-following = フォロー
staff-following-intro = ほかの自治体やそのテーマをフォローすると、新しい投稿がこのサーバーの「他の自治体から」に届き、住民が共感・返信できます。
staff-following-label = フォローするアドレスまたは URL（例: kodomo@city.example.jp）
staff-following-submit = フォローする
staff-following-list = フォロー中の相手
staff-following-none = まだ何もフォローしていません。
staff-following-remove = フォローをやめる
follow-state-pending = 承認待ち
follow-state-accepted = フォロー中
follow-state-rejected = 拒否されました
