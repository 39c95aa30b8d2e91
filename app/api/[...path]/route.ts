import { errorBody } from '@/lib/errors';
import { json } from '@/lib/http';

/** Unknown API paths answer JSON, never the HTML 404 page. */
function notFound() {
  return json(errorBody('not_found', 'No such API endpoint.'), 404);
}

export { notFound as DELETE, notFound as GET, notFound as PATCH, notFound as POST, notFound as PUT };
