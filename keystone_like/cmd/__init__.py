"""Console entry points; thin wrappers over the library."""
