"""The feed pipeline: what happens to an article between its feed entry and its brief."""
