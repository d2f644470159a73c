"""The ``civicpanel`` command, one module per feature; ``main`` puts them together."""
