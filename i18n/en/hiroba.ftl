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
error-busy = Many people are signing in right now. Please try again in { $seconds } seconds.

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
error-410 = This page was removed
error-500 = Something went wrong
error-other = The request could not be handled
error-status = Error code
error-back-home = Back to home
error-not-allowed-now = The theme's current phase does not allow this.

save = Save
saved = Saved.
search-title = Find ideas
search-label = Search ideas by keyword
search-submit = Search
search-none = Nothing found. Try other words.
search-results = { $count ->
    [one] 1 result
   *[other] { $count } results
}

profile-title = Profile
profile-account = Account:
profile-stats-heading = For participation statistics (optional)
profile-stats-use = Your age band, area and relation to the city are used only to count which generations and areas are being heard. They are never published per person or shown with your posts. You can take part without answering.
profile-age-band = Age band
profile-no-answer = Prefer not to say
profile-area = Area where you live or are active
profile-area-hint = e.g. Ofuna
profile-relations = Your relation to the city (choose any)
relation-lives = I live here
relation-works = I work here
relation-studies = I study here
relation-visits = I visit
age-under-20 = Under 20
age-20s = 20s
age-30s = 30s
age-40s = 40s
age-50s = 50s
age-60s = 60s
age-70s = 70s
age-80-plus = 80 or older

password-title = Change password
password-current = Current password
password-new = New password
password-submit = Change
password-wrong = The current password is wrong.
password-changed = Your password was changed.
password-other-sessions = Your other devices will be logged out.

report-open = Report
report-why = Why is this a problem?
report-submit = Send report
report-received = Thank you. The moderators will look at your report.
report-needs-reason = Please say why you report it.
report-proposal = Proposal
report-comment = Comment
report-reason = Reason
report-note = Reason for the decision (shown to the author)
report-hide = Hide
report-dismiss = Close as fine
report-already-hidden = Already hidden
reports-none = No open reports.
reports-open = { $count ->
    [one] 1 open report
   *[other] { $count } open reports
}

blocks-heading = Blocks (defederation)
blocks-explain = Posts and follows from blocked accounts and servers are refused, and nothing is delivered to them.
blocks-kind = Kind
blocks-domain = Server (domain)
blocks-actor = Account
blocks-value = Domain or account (e.g. spam.example, @someone@spam.example)
blocks-add = Block
blocks-remove = Unblock

staff-title = Staff
staff-nav = Staff menu
staff-new-theme = New theme
staff-edit-theme = Edit theme
staff-edit = Edit
staff-moderation = Moderation
staff-users = Users and roles
staff-profile = Municipality profile
staff-themes = Themes
staff-theme-title = Title
staff-theme-slug = URL name (lower-case letters, digits, hyphens)
staff-theme-slug-hint = It is also the theme's fediverse name (@name@domain) and cannot be changed later. e.g. new-city-plan
staff-theme-description = Description
staff-theme-status = Status
staff-theme-followers = Fediverse followers
staff-theme-status-hint = Drafts are visible to staff only. In an open theme, residents may post, comment and support as the day's phase allows.
staff-phases-hint = Only rows with a name and dates are saved. Enter phases in order, without overlapping dates.
staff-phase-number = Phase { $number }
staff-phase-name = Phase name (e.g. Know, Think, Create)
staff-phase-description = What residents are asked to do
staff-phase-guidance = How staff run this phase (only staff see this)
staff-phase-starts = First day
staff-phase-ends = Last day

users-role = Role
role-resident = Resident
role-moderator = Moderator
role-staff = Staff
role-administrator = Administrator

profile-name-ja = Name (Japanese)
profile-name-en = Name (English)
profile-prefecture = Prefecture
profile-code = Local government code
profile-time-zone = Time zone
profile-config-only = The local government code and time zone are set in the configuration file.
error-invalid-date = Choose a date (year-month-day).
error-ends-before-start = The last day cannot be before the first day.
error-overlapping-phases = The first day must be after the previous phase ends.
error-invalid-slug = Use only lower-case letters, digits and hyphens (not at the start or end).
comment-hidden-visible-to-you = This comment is hidden (only moderators and its author see it)
idea-remote-supports = { $count } from the fediverse (counted apart from residents' supports)
comment-from-fediverse = fediverse
idea-from-fediverse = posted from the fediverse
follow-account-label = Your account (e.g. @yourname@mastodon.example)
follow-submit = Follow on my server
follow-or-copy = Or search for this theme's name on your server:
follow-error-handle = Enter your account as @name@server.
follow-error-unreachable = Your server could not be reached. Check the account, or search for the name below and follow it.
follow-error-no-template = Your server has no page for following from other sites. In the app you use, search for { $handle } and follow it.
moderate-hide = Hide (moderators)
moderate-restore = Restore (moderators)

## Posts from followed municipalities and themes
nav-following = From other municipalities
following-title = From other municipalities
following-intro = Posts from the municipalities and themes this municipality follows. Supports and replies go to the municipality a post came from, which counts them.
following-none = No posts have arrived yet.
following-via = via { $via }
following-support-here = (supports from residents here)
following-support-explain = Your support is sent to the municipality the post came from, which counts it apart from its own residents' supports.
following-open-origin = Read it on its own site
following-reply-label = Reply (sent to the municipality the post came from, where it becomes a comment)
following-reply-submit = Send reply
following-reply-login = Log in to reply.
following-more = Show more
staff-following = Following
staff-following-intro = Follow another municipality or one of its themes: its new posts arrive under "From other municipalities" on this server, and residents can support and reply.
staff-following-label = Address or URL to follow (for example kodomo@city.example.jp)
staff-following-submit = Follow
staff-following-list = Followed
staff-following-none = Nothing is followed yet.
staff-following-remove = Stop following
follow-state-pending = Waiting for an answer
follow-state-accepted = Following
error-not-a-handle = Enter an address like kodomo@city.example.jp, or the URL of the account.
error-invalid-url = This is not a valid URL.
error-unreachable = Its server could not be reached, or it has nothing that can be followed.
error-local-actor = Themes and the municipality of this server cannot be followed from here.
error-blocked-actor = This account or its server is blocked here.
error-already-followed = This is already followed.
follow-state-rejected = Refused
staff-following-refusal = The other server answered:
staff-following-themes = Themes of the municipalities you follow
staff-following-themes-intro = Themes that municipalities you follow told you about when they opened or changed phase. Follow a theme itself to receive its new ideas here.
staff-following-themes-none = None yet. Follow a municipality (for example city@city.example.jp) and its themes appear here.
staff-following-theme-of = A theme of { $city }
staff-following-theme-phase = Current phase: { $phase }
staff-following-theme-follow = Follow this theme
staff-following-theme-followed = Following

## Methods
nav-methods = Methods
nav-municipalities = Municipalities
municipalities-title = Connected municipalities
municipalities-intro = Other municipalities that this one follows or that follow this one. Those it follows send their themes and methods here.
municipalities-none = No municipality is connected yet.
municipalities-prefecture = Prefecture
municipalities-code = Local government code
municipalities-relation = Connection
municipalities-mutual = Following each other
municipalities-followed = Followed by this municipality
municipalities-follows-us = Follows this municipality
municipalities-server = Server
municipalities-open-themes = Open themes
municipalities-no-open-themes = No open theme.
methods-title = Methods
methods-intro = How this municipality runs participation, published for reuse by others.
methods-library-title = Methods from other municipalities
methods-library-intro = Methods published by the municipalities this one follows.
methods-to-library = See other municipalities' methods
methods-to-own = See this municipality's methods
methods-search = Words to search
methods-tag = Tag
methods-prefecture = Prefecture
methods-prefecture-any = All prefectures
methods-filter = Filter
methods-none = No methods yet.
methods-more = More
methods-updated = Updated
method-of = A method of { $city }
method-origin-page = Its page at the origin
method-version = Version { $version }
method-old-version = This is an earlier version.
method-latest = See the newest version
method-licence = Licence
method-lineage = Based on
method-when = When to use it
method-phases = Phases
method-days = { $days } days
method-resident-guidance = For residents
method-staff-guidance = For staff
method-lessons = Lessons learned
method-used-in = Where it was used
method-used-by = Themes of other municipalities that used it
method-versions = Versions
method-export = Export as a file (JSON)
method-start = Use this method
method-start-title-hint = Leave empty to use the method's name.
method-start-date = First day of the first phase
method-start-submit = Start a theme from this method (as a draft)
method-fork = Make a new method from this one
method-new = Write a method
method-edit = Edit the method
method-edit-hint = Saving makes a new version. Earlier versions stay readable.
method-form-title = Name of the method
method-form-summary = Summary (a short text shown in lists)
method-form-days = Days
method-phases-hint = For each phase: its length in days, what residents may do, how staff run it and what it asks of residents. Empty rows are ignored.
method-import = Import a method from a file
method-import-intro = Paste the content of a method file (JSON) that another municipality exported. The original method and its municipality are kept as its origin.
method-import-label = Content of the file
method-import-hint = Open the file saved with "Export as a file (JSON)" as text and paste it here.
method-import-submit = Import
method-import-refused = This file could not be imported. Nothing was stored. To fix:
methods-write = Write a method
methods-import = Import from a file
method-edit-link = Edit this method
staff-save-as-method = Save this theme as a method
theme-based-on = Based on { $city }'s method "{ $title }"

## References to other municipalities' projects
references-title = Related projects of other municipalities
reference-kind-theme = Theme
reference-kind-proposal = Idea
reference-kind-method = Method
reference-removed = This project was removed at its origin.
reference-phase = Current phase: { $phase }
reference-ideas = { $count } ideas
reference-changed = Last changed
reference-checked = Checked
staff-references = Manage related projects
staff-references-intro = Point to another municipality's theme, idea or method. Each card is checked again regularly.
staff-references-label = URL or @name@host
staff-references-hint = For example: https://sanka.chofu.example/themes/shinchosha
staff-references-submit = Add as related
staff-references-none = No related projects yet.
staff-references-remove = Remove
staff-remove-theme = Remove theme
staff-remove-theme-explain = Once removed, this theme leaves the site and its lists, and its followers and the municipalities that refer to it are told. Its ideas ({ $count }) and comments are kept, so you can restore it from "Removed themes".
staff-remove-theme-submit = Remove
staff-remove-theme-cancel = Go back without removing
staff-removed-themes = Removed themes
staff-removed-themes-none = No theme has been removed.
staff-restore-theme = Restore
backlinks-title = Other municipalities' projects that refer to this theme
staff-backlinks-intro = When another municipality refers to this page, it arrives here. A hidden one is no longer shown on the public page.
staff-backlinks-none = No project refers here yet.
staff-backlinks-title = Other municipalities' projects that refer here
backlinks-title-idea = Other municipalities' projects that refer to this idea
staff-backlinks-hidden = (hidden)
staff-backlinks-hide = Hide
staff-backlinks-show = Show again
error-reference-refused = This address cannot be reached from here (it is an internal address).
error-reference-too-large = The other server's document is too large.
error-reference-not-activitypub = This page could not be read as a theme, idea or method.
error-reference-removed = It was removed at its origin.

# Official answers
answer-state-evaluating = Under consideration
answer-state-accepted = Accepted
answer-state-partly-accepted = Partly accepted
answer-state-not-adopted = Not adopted
answer-state-implemented = Implemented
answer-state-out-of-scope = Out of scope
answer-state-unanswered = Not answered yet
answer-heading = The city's answer
answer-none = This idea has not been answered yet.
answer-revised = version { $version }
answer-cost = Estimated cost: { $yen } yen
answer-link = Read more
answer-earlier = Earlier answers
answer-give = Answer
answer-revise = Revise the answer (a new version)
answer-state = State
answer-body = Answer
answer-department = Department
answer-cost-label = Estimated cost (yen, optional)
answer-link-label = Address of a related page (optional)
answer-submit = Publish the answer
answer-cost-not-a-number = Enter the amount as a number (for example 3000000)
board-state-label = Filter by the answer's state
staff-awaiting = Ideas awaiting an answer
staff-awaiting-intro = Ideas not answered yet, oldest first.
staff-awaiting-none = No idea awaits an answer.
notifications-title = Notifications
notifications-none = No notification yet.
notifications-mark-read = Mark all as read
notifications-new = New
notifications-answered = The city answered
nav-notifications = Notifications
nav-unread = { $count } unread
threshold-progress = Supports { $counted } / { $needed }
threshold-counts-both = (fediverse supports included)
threshold-reached = The goal was reached. The city will answer.
threshold-title = Supports that call for an answer
threshold-intro = When an idea has this many supports, it goes first in the staff queue as needing an answer. Leave it empty for no goal.
threshold-number = Number of supports
threshold-number-hint = A whole number, 1 or more. For example 50
threshold-not-a-number = Enter a number (for example 50)
threshold-counts = Supports that count
threshold-counts-residents = Registered residents' supports only
threshold-counts-both-label = Supports of residents and of fediverse accounts
notifications-threshold = Your idea reached the number of supports that calls for an answer
staff-needs-answer = Needs an answer
results-title = Results
results-none = No results have been published yet.
results-reflects = Ideas taken up
results-progress = Implementation record
results-now = Now: { $status } ({ $percent }%)
results-date = Date
results-status = Status
results-percent = Done (%)
results-note = What happened
results-add-progress = Record progress
results-new = Publish a result
results-heading = Heading
results-body = Text
results-reflects-label = Ideas taken up (optional)
results-reflects-hint = One per line: the idea's number and how it was taken up, as in "12: became section 3.2 of the plan draft".
result-reflects-unreadable = A line does not start with an idea's number (for example 12: became section 3.2)
results-publish = Publish
result-status-planned = Planned
result-status-in-progress = In progress
result-status-done = Done
result-status-stopped = Stopped
results-link = See the results
idea-reflected-in = This idea was taken up in "{ $heading }"
