"""The charter and its principles, and the links from case studies and consultations to the principles they touch."""
