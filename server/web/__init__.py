"""What every page needs: middleware, the page and fragment caches, templating, guards, errors and request helpers."""
