""""We asked, You said, We did" reports: officers' drafts, published versions, cabinet's list."""
