"""Which passwords are refused: too short once spaces are set aside, or easy to guess.

Accounts here open residents' addresses, key registers and signatures, and the login throttle
only slows guessing: a password an attacker tries in the first hundred guesses must not be
accepted at all. The list holds the passwords at the top of public leaked-password counts
(international and Chinese), in lower case; a few shapes (one character repeated, a run of
digits or keyboard keys) are refused however long they are.
"""

_COMMON = """
12345678 123456789 1234567890 0123456789 87654321 987654321 9876543210 12341234 11223344
12344321 123123123 123456123 147258369 147852369 159357456 5201314520 13145201314 52013141314
11111111 00000000 88888888 66666666 99999999 12121212 10101010 11112222 11110000 12345679
password password1 password12 password123 passw0rd p@ssw0rd p@ssword p4ssw0rd passwort
qwertyui qwertyuiop qwerty12 qwerty123 qwer1234 1234qwer q1w2e3r4 1q2w3e4r 1q2w3e4r5t
1qaz2wsx 1qaz2wsx3edc qazwsxedc zaq12wsx asdfghjk asdf1234 zxcvbnm1 zxcvbnm123 asdfasdf
iloveyou iloveyou1 woaini1314 woaini520 woaini123 5201314a a5201314 aini1314 wodemima
abc12345 abcd1234 abcdefgh abc123456 a1234567 a12345678 aa123456 aa12345678 a123456789
admin123 admin888 admin1234 administrator root1234 root123456 test1234 testtest guest123
letmein1 welcome1 welcome123 sunshine princess football baseball superman starwars dragon123
monkey12 trustno1 whatever computer internet changeme changeme1 default1 secret12 master12
wangyang woshishui zhang123 huang123 qq123456 qq5201314 taobao123 baidu123 dearbook
"""
COMMON_PASSWORDS = frozenset(_COMMON.split())

_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def is_guessable(password: str, username: str | None = None) -> bool:
    """Common, the username itself, or a shape guessers try first."""
    lowered = password.lower().strip()
    if lowered in COMMON_PASSWORDS or (username and lowered == username.lower()):
        return True
    if len(set(lowered)) <= 2:  # "aaaaaaaa", "abababab", eight spaces
        return True
    runs = [row + row[::-1] for row in _KEYBOARD_ROWS]
    return any(lowered in run or lowered in run[::-1] for run in runs) or (
        lowered.isdigit() and _is_step_sequence(lowered))


def _is_step_sequence(digits: str) -> bool:
    """12345678, 98765432, 13579135: each digit a fixed step from the one before."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:], strict=False)}
    return len(steps) == 1
