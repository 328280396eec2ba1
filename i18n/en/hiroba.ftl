# Hiroba English messages

skip-to-content = Skip to content
nav-label = Main menu
nav-home = Home
nav-login = Log in
nav-signup = Sign up
nav-logout = Log out
nav-signed-in-as = Signed in as
lang-label = Language
footer-powered = This participation site runs on Hiroba. Its themes and ideas can also be followed from the fediverse.

home-title = Home
home-intro = A place to share ideas about the city's plans and challenges, support them and talk them over.
home-themes = Themes
home-no-themes = No themes are published yet.
home-recent-ideas = New ideas
home-no-ideas = No ideas have been posted yet.

status-draft = Draft
status-open = Open
status-closed = Closed
status-archived = Archived

theme-phases = How it works
theme-phase-now = Now
theme-now-in-phase = Current phase: “{ $phase }”
theme-not-started = Not started yet.
theme-between-phases = The next phase has not started yet.
theme-ended = All phases have ended.
theme-idea-count = { $count ->
    [one] 1 idea
   *[other] { $count } ideas
}
theme-ideas = Ideas
theme-no-ideas = No ideas yet.
phase-period = { $from } – { $to }
phase-allows-ideas = You can post ideas
phase-allows-comments = You can comment
phase-allows-supports = You can support ideas
phase-allows-reading = A time to read and learn

follow-heading = Follow from the fediverse
follow-explain = With a Mastodon (or other fediverse) account, search for this theme and follow it: new ideas will appear in your home timeline.

board-sort-label = Sort
board-filter-label = Filter by tag
sort-newest = Newest
sort-most-supported = Most supported
sort-most-discussed = Most discussed
filter-all = All
page-previous = Previous page
page-next = Next page

idea-form-heading = Post an idea
idea-form-closed = The current phase does not take ideas.
idea-form-login = Log in to post an idea.
idea-form-title = Title
idea-form-body = Your idea
idea-form-body-hint = Keep it short. Lists and **bold** work.
idea-form-tags = Tags (optional)
idea-form-tags-hint = Separate them with commas or spaces, e.g. park, childcare
idea-form-anonymous = Post anonymously
idea-form-anonymous-hint = Instead of your name, “Anonymous” and a code are shown. The code is the same within this theme and cannot be linked to your posts in other themes. Only the staff who moderate can see who posted, to deal with abuse.
idea-form-submit = Post
idea-anonymous-author = Anonymous ({ $pseudonym })
idea-supports = { $count ->
    [one] 1 support
   *[other] { $count } supports
}
idea-comments = { $count ->
    [one] 1 comment
   *[other] { $count } comments
}
idea-withdrawn = The author withdrew this proposal.
idea-hidden = A moderator hid this proposal

support-heading = Support
support-residents = (from residents)
support-add = Support
support-withdraw = Withdraw support
support-login = Log in to support this idea.

comments-none = No comments yet.
comments-closed = The current phase does not take comments.
comment-label = Write a comment
comment-submit = Comment
comment-reply = Reply
comment-reply-label = Your reply
comment-login = Log in to comment.
comment-deleted = This comment was deleted.
comment-hidden = A moderator hid this comment.

form-has-errors = Please check what you entered.
error-required = Please fill this in.
error-too-short = Use at least { $limit } characters.
error-too-long = Use at most { $limit } characters.
error-invalid-email = Enter an e-mail address, such as name@example.jp.
error-handle-characters = Use only lower-case letters a–z, digits and underscores (_).
error-reserved = This name is reserved; choose another.
error-tags = Tags cannot contain spaces, commas or # (up to 10 tags).
error-control-characters = This contains characters that cannot be used.
error-taken = This is already taken.
error-credentials = Wrong login or password.
error-rate-limited = Too many attempts. Try again in { $seconds } seconds.

account-handle = Username
account-handle-hint = Up to 30 lower-case letters, digits and _. It is also your name on the fediverse. Leave it empty to sign up with an e-mail address only.
account-email = E-mail address
account-email-hint = Optional if you chose a username.
account-display-name = Display name (optional)
account-password = Password
account-password-hint = At least 8 characters.

signup-title = Sign up
signup-intro = With an account you can post ideas, support them and comment.
signup-submit = Sign up
signup-have-account = Already have an account?

login-title = Log in
login-handle = Username or e-mail address
login-submit = Log in
login-no-account = New here?

setup-title = Create the first administrator
setup-intro = Create the first administrator account of this site. This page works only once.
setup-submit = Create administrator
setup-invalid = This setup link is not valid or was already used. Open the newest link shown in the server's log.

error-404 = Page not found
error-403 = You are not allowed to do this
error-500 = Something went wrong
error-other = The request could not be handled
error-status = Error code
error-back-home = Back to home
error-not-allowed-now = The theme's current phase does not allow this.
