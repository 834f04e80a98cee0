"""Every write of the assistance app happens in one of these modules."""
