"""The stress panel: shock a coin and see each account's equity after it, with its bar chart."""
