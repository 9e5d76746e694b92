"""Authentication: screen credentials, personal API tokens, users and passwords."""
