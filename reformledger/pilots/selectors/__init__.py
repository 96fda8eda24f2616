"""The reads the pilot and innovation pages and endpoints need, scoped to the user and
joined in a fixed number of queries."""
