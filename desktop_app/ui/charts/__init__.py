"""The History tab: pyqtgraph charts of equity, MM rate and exposure over time, read on a loader thread."""
