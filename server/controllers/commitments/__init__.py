"""Charter commitments: the public tracker, cabinet's report and officers' pages."""
