"""Account dialogs: the account list, adding or editing one account, and how a connection test reads."""
