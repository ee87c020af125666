"""Forms of the portal pages. They own every validation rule and its French message."""
