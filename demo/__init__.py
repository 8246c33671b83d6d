"""Demo data for GOGOMARKET: a believable Tashkent marketplace for development and show.

``data`` holds the facts (category tree, products, districts, people, demo logins),
``builder`` writes them (``seed_demo``), ``images`` draws the product pictures.
"""
