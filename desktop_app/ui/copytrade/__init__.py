"""The copy-trading calculator dialog: settings, the master's orders, the replay and its chart."""
