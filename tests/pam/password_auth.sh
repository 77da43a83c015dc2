#!/bin/sh
# password_auth.sh - pam_vouch_password.so, auth phase: the prompt in the
# user's language, right and wrong passwords, unknown users, hostile
# answers (empty, 4 KiB, NUL bytes, not UTF-8), conversation errors, exact
# failure counting, use_first_pass and try_first_pass.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
add_user alice 'correct horse'
add_user bo 'Kodeord-123' --lang da
M="pam_vouch_password.so conf=$CONF"
service pw "auth required $M"
EN='PROMPT_ECHO_OFF: Password: '

# The right password, one prompt.
answers 'correct horse'
drive $PAM_SUCCESS "right password" pw alice auth
line 'auth: PAM_SUCCESS' "right password: PAM_SUCCESS"
prompts "right password: one English prompt" "$EN"
eq "$(failures alice)" 0 "no failures after success"

# Wrong answers: each is PAM_AUTH_ERR and counts exactly one.
n=0
check_wrong() {
  drive $PAM_AUTH_ERR "$1" pw alice auth
  line 'auth: PAM_AUTH_ERR' "$1: PAM_AUTH_ERR"
  prompts "$1: one prompt" "$EN"
  n=$((n + 1))
  eq "$(failures alice)" "$n" "$1: failures = $n"
}
answers 'wrong'; check_wrong "wrong password"
answers 'Correct horse'; check_wrong "case differs"
answers 'correct horse '; check_wrong "trailing space"
answers ''; check_wrong "empty answer"
answers "$(head -c 4096 /dev/zero | tr '\0' x)"; check_wrong "4 KiB answer"
answers "correct horse$(head -c 4096 /dev/zero | tr '\0' x)"
check_wrong "right password + 4 KiB"
printf 'correct \377\376horse\n' >"$T/in"; check_wrong "not UTF-8"
# A NUL inside the answer ends the C string the module receives.
answers 'correct\0 horse'; check_wrong "NUL inside the password"

answers 'correct horse\0junk'
drive $PAM_SUCCESS "NUL after the password: module sees 'correct horse'" \
  pw alice auth
line 'auth: PAM_SUCCESS' "NUL after the password: PAM_SUCCESS"
eq "$(failures alice)" 0 "success resets failures"

# Conversation failures are not password failures.
answers 'wrong'
drive $PAM_AUTH_ERR "one more failure" pw alice auth
answers '@CONVERR'
drive $PAM_CONV_ERR "conversation error" pw alice auth
line 'auth: PAM_CONV_ERR' "conversation error: PAM_CONV_ERR"
: >"$T/in"
drive $PAM_CONV_ERR "no answer at all" pw alice auth
eq "$(failures alice)" 1 "conversation errors are not counted"
answers 'correct horse'
drive $PAM_SUCCESS "right password again" pw alice auth
eq "$(failures alice)" 0 "failures back to 0"

# The user's language.
answers 'Kodeord-123'
drive $PAM_SUCCESS "Danish user" pw bo auth
prompts "Danish prompt" 'PROMPT_ECHO_OFF: Adgangskode: '

# Unknown users get the same prompt, then PAM_USER_UNKNOWN.
for u in nosuch 'bad name' '../../etc/passwd' "$(head -c 300 /dev/zero |
    tr '\0' u)"; do
  answers 'correct horse'
  drive $PAM_USER_UNKNOWN "unknown user '$u'" pw "$u" auth
  line 'auth: PAM_USER_UNKNOWN' "unknown user: PAM_USER_UNKNOWN"
  prompts "unknown user: the same prompt" "$EN"
done

# use_first_pass: the second module uses the first one's password.
service first "auth required $M
auth required $M use_first_pass"
answers 'correct horse'
drive $PAM_SUCCESS "use_first_pass after a module that asked" first alice auth
prompts "use_first_pass: one prompt for two modules" "$EN"
service firstq "auth requisite $M
auth required $M use_first_pass"
answers 'wrong'
drive $PAM_AUTH_ERR "use_first_pass stack, wrong password" firstq alice auth
prompts "use_first_pass stack, wrong: one prompt" "$EN"
eq "$(failures alice)" 1 "requisite stops: one failure"
service onlyfirst "auth required $M use_first_pass"
answers 'correct horse'
drive $PAM_AUTH_ERR "use_first_pass without a password" onlyfirst alice auth
line 'auth: PAM_AUTH_ERR' "use_first_pass without a password: AUTH_ERR"
prompts "use_first_pass never prompts"

# try_first_pass: uses the stored password, asks when there is none or
# when it is wrong.
service tryonly "auth required $M try_first_pass"
answers 'correct horse'
drive $PAM_SUCCESS "try_first_pass alone asks" tryonly alice auth
prompts "try_first_pass alone: one prompt" "$EN"
service try "auth optional $M
auth required $M try_first_pass"
answers 'correct horse'
drive $PAM_SUCCESS "try_first_pass, first password right" try alice auth
prompts "try_first_pass, right: one prompt" "$EN"
answers 'wrong' 'correct horse'
drive $PAM_SUCCESS "try_first_pass, first password wrong" try alice auth
prompts "try_first_pass, wrong first: asked again" "$EN" "$EN"
eq "$(failures alice)" 0 "try_first_pass success resets failures"
# pam_unix stores what it was told even when it fails (alice is no system
# user): the stored password is wrong, so try_first_pass must ask again.
service unix "auth optional pam_unix.so
auth required $M try_first_pass"
answers 'wrong' 'correct horse'
drive $PAM_SUCCESS "try_first_pass, stored password wrong" unix alice auth
prompts "try_first_pass, stored password wrong: asked again" "$EN" "$EN"
service unixfirst "auth optional pam_unix.so
auth required $M use_first_pass"
answers 'correct horse'
drive $PAM_SUCCESS "use_first_pass takes pam_unix's password" unixfirst \
  alice auth
prompts "use_first_pass behind pam_unix: one prompt" "$EN"
answers 'wrong' 'correct horse'
drive $PAM_AUTH_ERR "use_first_pass never asks again" unixfirst alice auth
prompts "use_first_pass, stored password wrong: no second prompt" "$EN"

# A failed auth phase asks for pam_unix's delay (pam_fail_delay; pamdrive
# serves it by saying FAIL_DELAY); "nodelay" leaves it to the application.
answers 'wrong'
drive $PAM_AUTH_ERR "wrong password" pw alice auth
expect_grep '^FAIL_DELAY$' "$T/err" "a failure asks for the delay"
answers 'correct horse'
drive $PAM_SUCCESS "right password" pw alice auth
expect_nogrep 'FAIL_DELAY' "$T/err" "a success waits for nothing"
service nodelay "auth required $M nodelay"
answers 'wrong'
drive $PAM_AUTH_ERR "wrong password, nodelay" nodelay alice auth
expect_nogrep 'FAIL_DELAY' "$T/err" "nodelay: no delay asked"
answers 'wrong'
drive $PAM_USER_UNKNOWN "unknown user" pw nosuch auth
expect_grep '^FAIL_DELAY$' "$T/err" "an unknown user: the same delay"

finish
