// MNIST-style preprocessing of a drawing (pure functions, no DOM): the ink's bounding box
// is cropped, scaled by area averaging to fit 20x20 keeping its aspect ratio, and placed
// in a 28x28 field so that its centre of mass is the field's centre, as MNIST's digits
// were made. Input: grey levels 0..1 (ink = 1) of a width x height drawing.

// Area-averaging resample of the source rectangle [x0, x0 + w) x [y0, y0 + h) to tw x th.
function resample(grey, width, x0, y0, w, h, tw, th) {
  const out = new Float32Array(tw * th);
  const sx = w / tw, sy = h / th;
  for (let ty = 0; ty < th; ++ty) {
    const top = y0 + ty * sy, bottom = Math.min(top + sy, y0 + h);
    for (let tx = 0; tx < tw; ++tx) {
      const left = x0 + tx * sx, right = Math.min(left + sx, x0 + w);
      let sum = 0;
      // The cell's edges are clamped to the rectangle: rounding (top + sy a hair past
      // y0 + h) would otherwise read a row past the image, and undefined * 0 is NaN.
      for (let y = Math.floor(top); y < Math.ceil(bottom); ++y) {
        const wy = Math.min(bottom, y + 1) - Math.max(top, y);
        for (let x = Math.floor(left); x < Math.ceil(right); ++x) {
          const wx = Math.min(right, x + 1) - Math.max(left, x);
          sum += grey[y * width + x] * wx * wy;
        }
      }
      out[ty * tw + tx] = sum / (sx * sy);
    }
  }
  return out;
}

// Returns { pixels: Float32Array(784), box } or null when nothing is drawn.
export function preprocess(grey, width, height, threshold = 0.05) {
  let minX = width, minY = height, maxX = -1, maxY = -1;
  for (let y = 0; y < height; ++y)
    for (let x = 0; x < width; ++x)
      if (grey[y * width + x] > threshold) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
  if (maxX < 0) return null;
  const w = maxX - minX + 1, h = maxY - minY + 1;
  const scale = 20 / Math.max(w, h);
  const tw = Math.max(1, Math.round(w * scale)), th = Math.max(1, Math.round(h * scale));
  const small = resample(grey, width, minX, minY, w, h, tw, th);
  let mass = 0, cx = 0, cy = 0;
  for (let y = 0; y < th; ++y)
    for (let x = 0; x < tw; ++x) {
      const v = small[y * tw + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  cx = mass > 0 ? cx / mass : tw / 2;
  cy = mass > 0 ? cy / mass : th / 2;
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  const ox = clamp(Math.round(14 - cx), 0, 28 - tw), oy = clamp(Math.round(14 - cy), 0, 28 - th);
  const pixels = new Float32Array(784);
  for (let y = 0; y < th; ++y)
    for (let x = 0; x < tw; ++x) pixels[(y + oy) * 28 + x + ox] = clamp(small[y * tw + x], 0, 1);
  return { pixels, box: { x: minX, y: minY, w, h } };
}

// Grey levels (red channel, 0..1) of RGBA image data.
export function greyOf(imageData) {
  const { data, width, height } = imageData;
  const grey = new Float32Array(width * height);
  for (let i = 0; i < grey.length; ++i) grey[i] = data[4 * i] / 255;
  return grey;
}
