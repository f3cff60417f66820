/** The engine records without one belong to: builds from before engines were recorded ran here. */
export const LOCAL_ENGINE = 'unix:///var/run/docker.sock';

/** `(engine IS NULL → the local socket) = @engine`, or every engine when @engine is NULL. */
export const ON_ENGINE = `(@engine IS NULL OR coalesce(engine, '${LOCAL_ENGINE}') = @engine)`;
