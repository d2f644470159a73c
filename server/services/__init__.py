"""Work that joins domain packages which must not know each other (panels and surveys), and the demo data set."""
