// For the trivial-pass task: counts every WebGL2 call in self.benchGlCalls, so both
// engines report the GL calls one pass costs (wrapping adds well under a microsecond per
// call; other tasks run unwrapped).
if (new URLSearchParams(location.search).get('task') === 'trivial-pass') {
  self.benchGlCalls = 0;
  const proto = WebGL2RenderingContext.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (typeof descriptor.value !== 'function' || name === 'constructor') continue;
    const original = descriptor.value;
    proto[name] = function (...args) {
      ++self.benchGlCalls;
      return original.apply(this, args);
    };
  }
}
