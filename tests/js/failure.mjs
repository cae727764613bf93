// What a call through the official client threw, as JSON for the Python side (shared by the fidelity scripts).
// FixieClientError is not re-exported from the package root, so it comes from src/client.js, the very module the
// root re-exports FixieClient from (one class, so instanceof holds).
import { FixieClientError } from 'fixie/src/client.js';

export async function failure(promise) {
  try {
    await promise;
    return { thrown: false };
  } catch (err) {
    return {
      thrown: true,
      isFixieClientError: err instanceof FixieClientError,
      name: err.name,
      statusCode: err.statusCode,
      statusText: err.statusText,
      message: err.message,
      url: String(err.url),
      detail: err.detail,
    };
  }
}
