"""The statistics library: proportions and intervals, weighting to the census, disclosure control, group differences and free-text themes. Pure functions over pandas frames."""
