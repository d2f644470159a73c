"""The Resident Panel: the public pages, members' private pages, officers' and cabinet's."""
