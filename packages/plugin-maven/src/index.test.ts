import { readFileSync } from 'node:fs';
import { describeEcosystem, describeManifestPlugin } from '@devops-butler/contract-tests';
import { repoRoot } from '@devops-butler/test-support';
import { MAVEN_MANIFESTS, maven } from './index.js';

describeManifestPlugin('maven', maven, MAVEN_MANIFESTS[0]);

const dir = `${repoRoot()}/examples/ecosystems/maven`;
const root = readFileSync(`${dir}/pom.xml`, 'utf8');

describeEcosystem({
  ecosystem: 'maven',
  factory: maven,
  dir,
  direct: {
    'org.springframework.boot:spring-boot-starter-parent': '3.3.1',
    'org.springframework.boot:spring-boot-starter-web': 'managed by spring-boot-starter-parent 3.3.1',
    'com.google.guava:guava': '33.2.1-jre',
    'com.fasterxml.jackson.core:jackson-databind': '2.17.1',
    'org.apache.commons:commons-lang3': '3.14.0',
  },
  transitive: {},
  reformatted: {
    // Dependencies in another order, elements on one line, other indentation.
    'api/pom.xml': `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<parent><groupId>com.example</groupId><artifactId>ecosystem-maven-app</artifactId><version>1.0.0</version></parent>
<artifactId>api</artifactId>
<dependencies>
\t<dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>\${jackson.version}</version></dependency>
\t<dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId></dependency>
\t<dependency><artifactId>spring-boot-starter-web</artifactId><groupId>org.springframework.boot</groupId></dependency>
\t<dependency><groupId>com.example</groupId><artifactId>core</artifactId><version>\${project.version}</version></dependency>
</dependencies></project>`,
  },
  bump: {
    files: { 'pom.xml': root.replace('<jackson.version>2.17.1<', '<jackson.version>2.17.2<') },
    name: 'com.fasterxml.jackson.core:jackson-databind',
    to: '2.17.2',
  },
  unpinned: {
    files: {
      Dockerfile: 'FROM scratch\nCOPY pom.xml /src/\n',
      'pom.xml': `<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version><dependencies>
<dependency><groupId>com.acme</groupId><artifactId>lib</artifactId><version>2.0-SNAPSHOT</version></dependency>
<dependency><groupId>com.acme</groupId><artifactId>range</artifactId><version>[1.0,2.0)</version></dependency>
<dependency><groupId>com.acme</groupId><artifactId>fixed</artifactId><version>1.0</version></dependency>
</dependencies></project>`,
    },
    names: ['com.acme:lib', 'com.acme:range'],
  },
  malformed: {
    file: 'core/pom.xml',
    content: '<project>\n  <artifactId>core</artifactId>\n  <version>1.0</versio>\n</project>\n',
    line: 3,
  },
});
