// Request/response over postMessage, shared by the page and its two workers. A request is
// {id, type, ...payload}; the worker answers {id, result} or {id, error: {name, message}}.
// Messages without an id are events (training progress), handed to onEvent.

// Page side: call(type, payload, transfer) -> Promise of the worker's result.
export function connect(worker, onEvent = () => {}) {
  let next = 0;
  const waiting = new Map();
  worker.onmessage = ({ data }) => {
    const request = data.id === undefined ? null : waiting.get(data.id);
    if (!request) return onEvent(data);
    waiting.delete(data.id);
    if (data.error) {
      const error = new Error(data.error.message);
      error.name = data.error.name;
      request.reject(error);
    } else {
      request.resolve(data.result);
    }
  };
  // A worker that fails to start (a syntax error, a missing module) fails every request.
  worker.onerror = (event) => {
    event.preventDefault?.();
    const error = new Error(`the worker failed: ${event.message || 'it could not be started'}`);
    for (const request of waiting.values()) request.reject(error);
    waiting.clear();
    onEvent({ type: 'error', message: error.message });
  };
  return {
    call(type, payload = {}, transfer = []) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, type, ...payload }, transfer);
      });
    },
    send(type, payload = {}) {
      worker.postMessage({ type, ...payload });
    },
  };
}

// Worker side: handlers[type](message) -> result or {result, transfer}; a throw is
// answered as an error. Requests are handled one at a time, in order.
export function serve(handlers) {
  let queue = Promise.resolve();
  self.onmessage = ({ data }) => {
    const handler = handlers[data.type];
    if (data.id === undefined) {  // an event for the worker (Stop): handled at once
      if (handler) handler(data);
      return;
    }
    queue = queue.then(async () => {
      try {
        if (!handler) throw new Error(`unknown request '${data.type}'`);
        const answer = await handler(data);
        const { result, transfer } = answer && answer.transfer ? answer : { result: answer, transfer: [] };
        self.postMessage({ id: data.id, result }, transfer);
      } catch (e) {
        self.postMessage({ id: data.id, error: { name: e.name || 'Error', message: e.message || String(e) } });
      }
    });
  };
}
