"""The learner's map: one self-contained HTML page with the prerequisite graph and progress pictures.

`render_map(MapData) -> str` returns a whole HTML document that works offline from a file: every
style and script is inline, the page asks for nothing over the network (its Content-Security-Policy
forbids it), and all text is escaped. The graph is laid out here, in Python, Sugiyama-style:

1. layer = longest path from the roots (foundations in the first column);
2. edges spanning several layers pass through dummy points, one per layer crossed;
3. the order within each layer starts from guide order (so sections stay together) and is improved
   by barycenter sweeps, keeping the order with the fewest crossings (counted exactly);
4. vertical positions pull every node towards its neighbours while keeping the order and spacing
   (an isotonic regression per layer, a few sweeps), which straightens the long edges.

The progress pictures (sections, review heatmap, due forecast, retention) are drawn here as SVG
too; the page's hand-written script only adds pan and zoom, filters, search and the details panel.
Pure: no printing and no I/O beyond reading its own style and script (map.css, map.js, shipped
beside this package's modules); nothing imported from the rest of dlstudy.
"""

from dlstudy.interop.map.layout import Layout, layout_graph
from dlstudy.interop.map.model import STATUS_LABELS, STATUSES, MapData, MapTopic
from dlstudy.interop.map.page import render_map

__all__ = ["STATUSES", "STATUS_LABELS", "Layout", "MapData", "MapTopic", "layout_graph", "render_map"]
