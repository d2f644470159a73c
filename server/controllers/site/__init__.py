"""The site's own pages: home, the charter, privacy, accessibility, health, and staff home pages."""
