/**
 * The front end's calls the doctor replays (preflights and real requests): the front page's first call,
 * and a POST that needs a token. One module of its own: cors-responses.ts imports cors-preflight.ts.
 */
export const subjectsPath = '/ajax/subject/all';
export const protectedPath = '/ajax/account/';
