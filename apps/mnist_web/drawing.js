// The drawing pad: pointer strokes (coalesced events keep fast strokes smooth), Clear,
// a 28x28 digit or an uploaded image put onto the pad. Calls onChange after every change
// and onStrokeEnd when a stroke ends.
import { state } from './state.js';

const STROKE = 22;  // px on the 280 px pad: MNIST-like stroke width after scaling to 20 px

export function createPad(canvas, { onChange, onStrokeEnd }) {
  const ink = canvas.getContext('2d', { willReadFrequently: true });
  let last = null;
  const point = (event) => {
    const r = canvas.getBoundingClientRect();
    // The pad may be shown smaller than its 280 px (narrow screens): scale to its pixels.
    return { x: ((event.clientX - r.left) * canvas.width) / r.width,
             y: ((event.clientY - r.top) * canvas.height) / r.height };
  };
  canvas.addEventListener('pointerdown', (event) => {
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
    ink.fillStyle = '#fff';
    ink.beginPath();
    ink.arc(last.x, last.y, STROKE / 2, 0, 2 * Math.PI);
    ink.fill();
    onChange();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!last) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    ink.strokeStyle = '#fff';
    ink.lineWidth = STROKE;
    ink.lineCap = 'round';
    ink.lineJoin = 'round';
    ink.beginPath();
    ink.moveTo(last.x, last.y);
    for (const e of events.length ? events : [event]) {
      last = point(e);
      ink.lineTo(last.x, last.y);
    }
    ink.stroke();
    onChange();
  });
  const endStroke = () => {
    if (!last) return;
    last = null;
    state.drawing.strokes++;
    state.drawing.endedAt = performance.now();
    onStrokeEnd();
  };
  canvas.addEventListener('pointerup', endStroke);
  canvas.addEventListener('pointercancel', endStroke);

  const clear = () => {
    ink.fillStyle = '#000';
    ink.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  return {
    clear,
    pixels: () => ink.getImageData(0, 0, canvas.width, canvas.height),
    // 28x28 grey levels (0..1) scaled up onto the pad: the test path for MNIST digits.
    drawDigit(grey) {
      const small = new OffscreenCanvas(28, 28);
      const view = small.getContext('2d');
      view.putImageData(greyImage(grey, 28, 28), 0, 0);
      clear();
      ink.imageSmoothingEnabled = true;
      ink.drawImage(small, 0, 0, canvas.width, canvas.height);
    },
    // An image file's digit onto the pad as white ink on black (see imageToInk). Decoding
    // and scaling a large photo down run off the main thread (createImageBitmap).
    async drawImageFile(file) {
      let full;
      try {
        full = await createImageBitmap(file);
      } catch {
        throw new Error(`${file.name || 'the file'} is not an image this browser can decode`);
      }
      const scale = Math.min(1, canvas.width / full.width, canvas.height / full.height);
      const bitmap = await createImageBitmap(full, { resizeWidth: Math.max(1, Math.round(full.width * scale)),
                                                    resizeHeight: Math.max(1, Math.round(full.height * scale)),
                                                    resizeQuality: 'high' });
      full.close();
      const image = imageToInk(bitmap, canvas.width, canvas.height);
      bitmap.close();
      clear();
      ink.putImageData(image, 0, 0);
    },
  };
}

function greyImage(grey, width, height) {
  const image = new ImageData(width, height);
  for (let i = 0; i < width * height; ++i) {
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = grey[i] * 255;
    image.data[4 * i + 3] = 255;
  }
  return image;
}

// A photo or scan of a digit as the pad's white-on-black ink: the image fitted into the pad
// (aspect kept), turned grey, inverted when its background is light (dark ink on paper),
// and stretched so that the background is black and the strongest ink white. The page's
// preprocessing then crops and centres it exactly as it does a drawing.
export function imageToInk(bitmap, width, height) {
  const canvas = new OffscreenCanvas(width, height);
  const view = canvas.getContext('2d', { willReadFrequently: true });
  const scale = Math.min(width / bitmap.width, height / bitmap.height);
  const w = bitmap.width * scale, h = bitmap.height * scale;
  view.fillStyle = '#000';
  view.fillRect(0, 0, width, height);
  view.drawImage(bitmap, (width - w) / 2, (height - h) / 2, w, h);
  const image = view.getImageData(0, 0, width, height);
  const grey = new Float32Array(width * height);
  const x0 = Math.ceil((width - w) / 2), y0 = Math.ceil((height - h) / 2);
  for (let i = 0; i < grey.length; ++i) {
    const d = image.data;
    grey[i] = (0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]) / 255;
  }
  // The background level: the median of the image's own pixels (the letterbox excluded),
  // from a 256-bin histogram (a sort of 78,400 values would be a long task).
  const histogram = new Uint32Array(256);
  let count = 0;
  for (let y = y0; y < Math.floor(y0 + h); ++y)
    for (let x = x0; x < Math.floor(x0 + w); ++x) {
      histogram[Math.round(grey[y * width + x] * 255)]++;
      ++count;
    }
  let background = 0;
  for (let seen = 0; background < 255 && seen + histogram[background] <= count / 2; ++background)
    seen += histogram[background];
  background /= 255;
  const light = background > 0.5;
  const inkOf = (v) => Math.max(0, light ? background - v : v - background);
  let strongest = 0;
  for (let y = y0; y < Math.floor(y0 + h); ++y)
    for (let x = x0; x < Math.floor(x0 + w); ++x) strongest = Math.max(strongest, inkOf(grey[y * width + x]));
  const out = new ImageData(width, height);
  for (let y = 0; y < height; ++y)
    for (let x = 0; x < width; ++x) {
      const i = y * width + x;
      const within = x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
      // Ink below a fifth of the strongest is paper texture or shadow: dropped.
      const level = within && strongest > 0 ? inkOf(grey[i]) / strongest : 0;
      const v = level < 0.2 ? 0 : Math.min(1, (level - 0.2) / 0.6) * 255;
      out.data[4 * i] = out.data[4 * i + 1] = out.data[4 * i + 2] = v;
      out.data[4 * i + 3] = 255;
    }
  return out;
}
