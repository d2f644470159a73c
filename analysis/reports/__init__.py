""""We asked, You said, We did" reports: building them from responses, rendering them, and storing drafts and published versions."""
