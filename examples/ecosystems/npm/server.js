// The example's app: the Dockerfile copies the manifests first, as a real one would for layer caching.
console.log('npm example');
