"""Settings: ``base`` (everything, read from the environment), ``test`` and ``production`` on top."""
