"""Portal accounts: a profile (role, code, display name) on Django's user, and what it may see."""
