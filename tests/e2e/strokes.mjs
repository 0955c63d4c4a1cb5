// Digit strokes as a person draws them on the 280x280 pad: lists of polylines in pad
// pixels, drawn with real pointer events by the end-to-end test.
const ellipse = (cx, cy, rx, ry, steps = 40) =>
  Array.from({ length: steps + 1 }, (_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / steps;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
  });
const line = (x0, y0, x1, y1, steps = 12) =>
  Array.from({ length: steps + 1 }, (_, i) => [x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps]);

export const STROKES = {
  0: [ellipse(140, 140, 60, 95)],
  1: [line(150, 40, 135, 240)],
  4: [[...line(160, 40, 70, 170), ...line(70, 170, 210, 170).slice(1)], line(170, 90, 165, 245)],
  7: [[...line(70, 55, 210, 55), ...line(210, 55, 120, 245).slice(1)]],
};
